"""The parts of the suite, in the order they run (`reliability.__main__.PARTS`)."""
