"""Cat Harness Coach: an Alexa skill that coaches harness and leash training for indoor cats.

The package is split by concern: ``content`` and ``search`` hold what the skill knows,
``speech`` turns it into SSML, ``handlers`` translate Alexa requests into answers, ``builder``
assembles the ask-sdk skill, and ``simulator`` lets you talk to it locally.
"""
