"""A Django app whose only migration takes longer than the app's statement timeout, as a real one may."""
