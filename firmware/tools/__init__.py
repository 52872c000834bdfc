"""Host-side tools for the sensor node: config generation, deployment, power budget, pin map."""
