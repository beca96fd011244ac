//! capstan-helm
