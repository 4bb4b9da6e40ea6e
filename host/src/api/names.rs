//! The shapes of names the API accepts in paths and bodies.

use super::ApiError;

/// Project names come from repository basenames: letters, digits, `.`, `_` and `-`.
pub fn check_project_name(name: &str) -> Result<(), ApiError> {
    let valid = !name.is_empty()
        && name.len() <= 100
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if valid {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "Invalid project name: '{name}'"
        )))
    }
}

/// Usernames: 2-50 letters, digits, `.`, `_` or `-`.
pub fn check_username(username: &str) -> Result<(), ApiError> {
    let valid = (2..=50).contains(&username.chars().count())
        && username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if valid {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "Invalid username '{username}': use 2-50 letters, digits, '.', '_' or '-'"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_names() {
        for good in ["docsfy", "my-repo", "a.b_c", "9lives"] {
            assert!(check_project_name(good).is_ok(), "{good}");
        }
        for bad in ["", "-x", ".hidden", "a/b", "a b", "..", &"x".repeat(101)] {
            assert!(check_project_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn usernames() {
        for good in ["al", "alice.smith", "bob_2", "x-y"] {
            assert!(check_username(good).is_ok(), "{good}");
        }
        for bad in ["a", "alice smith", "bob!", &"x".repeat(51)] {
            assert!(check_username(bad).is_err(), "{bad}");
        }
    }
}
