//! Structure-aware fuzzing of Blankett's parsers and checks on the stable toolchain.
//!
//! `cargo xtask fuzz --minutes N [--target NAME]` runs the `blankett-fuzz` binary: proptest
//! strategies build inputs from the valid definitions in `public/forms/` and
//! `tests/e2e/forms/` (mutated as JSON and as text), from structured random JSON, from
//! markdown tokens and from correctly signed requests (re-signed with changed parameters,
//! or changed after signing). Every input must not panic, must finish within
//! [`runner::TIME_LIMIT`] and must stay under [`alloc::LIMIT`] bytes of heap at once; the
//! targets also check properties (a loaded definition's own serialisation loads; what the
//! browser builds the receiver accepts; a structured field's members read back the same).
//! The smallest input per outcome is kept in `corpus/<target>/`, which `tests/corpus.rs`
//! replays in `cargo xtask test`.

pub mod alloc;
pub mod generate;
pub mod runner;
pub mod targets;

#[global_allocator]
static GLOBAL: alloc::Counting = alloc::Counting;
