"""What the upstream says: text, token counts, usage and cost, and the completion shapes."""
