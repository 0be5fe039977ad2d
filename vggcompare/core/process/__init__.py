"""Process plumbing: the window's engine process and its job messages, runs in a fresh Python process, and a child's
watch on its parent. Nothing here computes a pass; it sits beside the pass computation, above storage."""
