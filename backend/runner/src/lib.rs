//! Runs one Skriptoteket tool in an ephemeral, hardened container and brings back a typed
//! result, whatever the tool does. `docker` talks to the engine; the other modules are the
//! pure parts (limits, the wire format, tar in and out, judging the outcome) and are
//! unit-tested on their own.

mod capped_log;
pub mod docker;
pub mod fleet;
mod frames;
pub mod input_tar;
pub mod limits;
mod outcome;
pub mod output_tar;

pub use docker::DockerRunner;
pub use fleet::{EngineSpec, Fleet};
pub use limits::RunLimits;
