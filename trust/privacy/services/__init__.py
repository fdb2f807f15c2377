"""Writes for privacy rights: `consent` (choices and their history), `exports` (copies
of a member's data) and `deletion` (cool-off, cancel, anonymise; its steps are in
`erasure`)."""
