"""What every test that runs a ``manage.py`` command in a process of its own waits for it."""

# A guard against a command that hangs, not a measure of its speed: a release against the emulator takes
# seconds, but on the 2-core CI machine beside the rest of the suite one has taken over a minute.
COMMAND_TIMEOUT_SECONDS = 180
