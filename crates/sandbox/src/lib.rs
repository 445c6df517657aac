//! Simulators of the iCIMS and Namely APIs, served over real HTTP on 127.0.0.1.
//!
//! The simulators play the vendors: they check signatures and parse requests with code of
//! their own, never with the client crates, so that a mistake in a client cannot hide behind
//! the same mistake in its simulator. Every behaviour follows `shared/reference/*.md`; where
//! the reference says *unverified*, the choice made here lives in one place per simulator: `icims::assumptions` and
//! `namely::assumptions`.

pub mod icims;
pub mod namely;
pub mod seed;
