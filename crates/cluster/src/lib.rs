//! capstan-cluster
