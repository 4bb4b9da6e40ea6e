//! The words every layer shares: a caller's role, a variant's status and the stage of its
//! generation. They sit below `store` and `auth` so that both can use them; their text forms
//! are the API's and the database's, unchanged from docsfy.

use serde::{Deserialize, Serialize};

/// Defines a closed set of names with one text form each, used by serde, the database and
/// error messages alike.
macro_rules! named_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident ($what:literal) {
            $( $(#[$variant_meta:meta])* $variant:ident => $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $( $(#[$variant_meta])* #[serde(rename = $text)] $variant, )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The text form, as the API and the database write it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;

            fn from_str(text: &str) -> Result<$name, String> {
                match text {
                    $($text => Ok($name::$variant),)+
                    other => Err(format!(
                        "Invalid {} '{other}'. Must be one of: {}",
                        $what,
                        [$($text),+].join(", ")
                    )),
                }
            }
        }
    };
}

named_enum! {
    /// What a caller may do.
    pub enum Role ("role") {
        /// Everything, including `/api/admin/*`.
        Admin => "admin",
        /// Read and write their own and shared projects.
        User => "user",
        /// Read their own and shared projects.
        Viewer => "viewer",
    }
}

named_enum! {
    /// Where a variant stands.
    pub enum Status ("status") {
        /// A generation is running.
        Generating => "generating",
        /// The last generation succeeded; its site is served.
        Ready => "ready",
        /// The last generation failed (the previous site, if any, is still served).
        Error => "error",
        /// The last generation was stopped by a user.
        Aborted => "aborted",
    }
}

named_enum! {
    /// The step a generation is in (`current_stage`), in the order a run takes them.
    pub enum Stage ("stage") {
        /// Cloning or opening the repository.
        Cloning => "cloning",
        /// Same commit as the last ready run: nothing to do (a final stage).
        UpToDate => "up_to_date",
        /// Asking which pages a new commit affects.
        IncrementalPlanning => "incremental_planning",
        /// Asking for the documentation plan.
        Planning => "planning",
        /// Writing pages.
        GeneratingPages => "generating_pages",
        /// Checking pages against the repository.
        Validating => "validating",
        /// Linking pages to each other.
        CrossLinking => "cross_linking",
        /// Turning pages into the site.
        Rendering => "rendering",
    }
}

/// Which variants a caller may see: the one rule of who sees what, for queries (the store
/// derives its SQL condition from it), listings and the WebSocket alike.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Visibility {
    /// Admins: every variant.
    All,
    /// Everyone else: their own variants, and those of projects shared with them.
    User(String),
}

impl Visibility {
    /// Whether a variant owned by `owner` is visible; `shared` answers whether its project
    /// is shared with the user, and is asked only when that decides.
    pub fn sees(&self, owner: &str, shared: impl FnOnce() -> bool) -> bool {
        match self {
            Visibility::All => true,
            Visibility::User(username) => username == owner || shared(),
        }
    }
}

/// A branch as one path segment or folder name, docsfy's way: `~` as `~7E`, `/` as `~2F`.
pub fn encode_branch(branch: &str) -> String {
    branch.replace('~', "~7E").replace('/', "~2F")
}

/// `text` percent-encoded as one URL path segment (letters, digits, `-_.~` kept).
pub fn encode_segment(text: &str) -> String {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
    const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    utf8_percent_encode(text, SEGMENT).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_forms_round_trip_through_parse_serde_and_display() {
        fn check<T>(all: &[T])
        where
            T: Copy + std::fmt::Display + std::fmt::Debug + PartialEq,
            T: std::str::FromStr<Err = String> + Serialize + for<'de> Deserialize<'de>,
        {
            for value in all {
                let text = value.to_string();
                assert_eq!(text.parse::<T>().as_ref(), Ok(value));
                let json = serde_json::to_string(value).expect("serialises");
                assert_eq!(json, format!("\"{text}\""));
                assert_eq!(serde_json::from_str::<T>(&json).expect("parses"), *value);
            }
        }
        check(Role::ALL);
        check(Status::ALL);
        check(Stage::ALL);
        assert_eq!(Stage::GeneratingPages.as_str(), "generating_pages");
        let alice = Visibility::User("alice".into());
        assert!(alice.sees("alice", || panic!("own variants need no grant")));
        assert!(alice.sees("bob", || true));
        assert!(!alice.sees("bob", || false));
        assert!(Visibility::All.sees("bob", || false));
        assert_eq!(
            "owner".parse::<Role>(),
            Err("Invalid role 'owner'. Must be one of: admin, user, viewer".into())
        );
    }
}
