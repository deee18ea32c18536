"""Sizes a message may have: read by the model, the API validation and the docs alike."""

SENDER_MAX_LENGTH = 100
# A text message, not a document: generous for chat, small enough that a page of 50 stays light.
CONTENT_MAX_LENGTH = 4000
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
