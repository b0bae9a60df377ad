//! Observation-based policies of a POMDP and their outcomes (docs/theory.md §12.5).
