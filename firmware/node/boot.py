# Intentionally empty: everything happens in main.py. Keeping boot.py empty keeps the deep-sleep
# wake path short (MicroPython runs _boot.py, boot.py, then main.py on every wake).
