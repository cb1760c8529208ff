"""fastinno's one input/output layer: :mod:`fastinno.io.read` and :mod:`fastinno.io.write`."""
