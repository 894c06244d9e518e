"""What works with no LLM at all: breathing, grounding, journaling, a thought record, and more."""
