"""The demo cooperative: seeded registry plus simulated nodes that feed the real chain."""
