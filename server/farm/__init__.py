"""The farmer's domain services: the field day and its advice, the diary and the compliance gate,
harvest lots and their report, photos and their diagnosis. HTTP handlers in ``mobile_api/`` call
these; nothing here imports Flask's request objects or the web app."""
