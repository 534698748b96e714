"""Events: webinars and the Assises (later issue)."""
