"""What an owner's own words mean: free text turned into the request Alexa would have sent.

Alexa's NLU matches the interaction model's samples; whatever it cannot place exactly reaches the
skill as the words of an AMAZON.SearchQuery slot. ``meaning.understand`` reads those words:

1. hesitations go (``words``), and nothing left means nothing was heard;
2. the urgent check runs first (on the classifier's probability for the urgent label), so a
   frightened or endangered cat gets the urgent answer in any phrasing (``urgent``);
3. a linear classifier trained at build time on the tuning part of the owner utterance bank
   (``classifier``), blended with BM25 search over the guide (``skill.search``), names the step,
   topic or action meant, with a calibrated confidence;
4. for actions, the values the words name (a duration, a step, a cat's name, an outcome) are read
   out of them (``slots``).

Everything here is plain Python over data files; it loads on the first free-text turn, never at
launch (``tests/test_cold_path.py``).
"""
