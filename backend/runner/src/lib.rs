//! The Docker implementation of the domain Runner (bollard): limits, tar in/out, cleanup.
