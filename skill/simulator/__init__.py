"""Talk to the skill locally: text in, the Alexa envelope the skill would get, speech and card out."""
