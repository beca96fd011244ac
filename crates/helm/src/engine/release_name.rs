//! Helm's release-name check (`chartutil.ValidateReleaseName`), which its install action
//! (and so `helm template`) runs before touching the chart's values: a name is at most
//! 53 bytes of dot-separated DNS labels, each made of lowercase letters, digits and
//! inner dashes.

/// Helm's limit: release names end up in Secret names (`sh.helm.release.v1.NAME.vN`),
/// which must stay within 63 characters.
const MAX_RELEASE_NAME_LEN: usize = 53;

/// The pattern Helm quotes in its error message.
const NAME_PATTERN: &str = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

/// Why Helm refuses a release name, in its words (`release name check failed: ...`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReleaseNameError {
    #[error("release name check failed: release name {quoted}: no name provided")]
    Missing { quoted: String },
    #[error(
        "release name check failed: release name {quoted}: invalid release name, must match \
         regex {NAME_PATTERN} and the length must not be longer than {MAX_RELEASE_NAME_LEN}"
    )]
    Invalid { quoted: String },
}

/// Checks `name` as Helm's install action does before rendering.
pub fn validate_release_name(name: &str) -> Result<(), ReleaseNameError> {
    // Go's %q, as Helm formats the name into its message.
    let quoted = || gotmpl::sprintf("%q", &[gotmpl::Value::str(name)]);
    if name.is_empty() {
        return Err(ReleaseNameError::Missing { quoted: quoted() });
    }
    if name.len() > MAX_RELEASE_NAME_LEN || !name.split('.').all(is_label) {
        return Err(ReleaseNameError::Invalid { quoted: quoted() });
    }
    Ok(())
}

/// One dot-free part of the pattern: `[a-z0-9]([-a-z0-9]*[a-z0-9])?`.
fn is_label(label: &str) -> bool {
    let bytes = label.as_bytes();
    let alnum = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    match (bytes.first(), bytes.last()) {
        (Some(first), Some(last)) => {
            alnum(first) && alnum(last) && bytes.iter().all(|b| alnum(b) || *b == b'-')
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_dns_style_names() {
        for ok in ["a", "0", "my-release", "a.b", "x1.y-2.z3", &"a".repeat(53)] {
            assert_eq!(validate_release_name(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn refuses_what_the_pattern_or_length_refuses() {
        for bad in [
            "My_Release",
            "UPPER",
            "-lead",
            "trail-",
            "a..b",
            ".a",
            "a.",
            "a_b",
            "a b",
            "é",
            &"a".repeat(54),
        ] {
            assert!(
                matches!(
                    validate_release_name(bad),
                    Err(ReleaseNameError::Invalid { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn messages_are_helms() {
        assert_eq!(
            validate_release_name("").unwrap_err().to_string(),
            "release name check failed: release name \"\": no name provided"
        );
        assert_eq!(
            validate_release_name("a\"b\n").unwrap_err().to_string(),
            "release name check failed: release name \"a\\\"b\\n\": invalid release name, must \
             match regex ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$ \
             and the length must not be longer than 53"
        );
    }
}
