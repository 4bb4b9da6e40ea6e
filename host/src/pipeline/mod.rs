//! The generation pipeline: where a repository may come from (`source`), the
//! job that clones, plans, writes, validates, cross-links and renders (`job`), the pipeline
//! that takes jobs in and ends them (`run`), and the pieces they use: the plan format with
//! its repair, the prompts, the repository summary, the page cache and atomic publishing.

mod ai;
pub mod archive;
pub mod checkout;
mod clone_proxy;
pub mod credentials;
pub mod error;
mod fetch;
pub mod incremental;
mod job;
pub mod jobs;
mod page_cache;
pub mod pages;
pub mod plan;
pub mod prompts;
pub mod publish;
pub mod remote;
pub mod repo_summary;
pub mod run;
pub mod source;
pub mod tree;
mod version;

/// Now as `YYYY-MM-DD HH:MM:SS` in UTC, the form docsfy shows times in.
pub fn now_utc() -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    time::OffsetDateTime::now_utc()
        .format(format)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn now_is_shown_as_docsfy_shows_times() {
        let now = super::now_utc();
        let parsed = time::PrimitiveDateTime::parse(
            &now,
            time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]"),
        )
        .expect("the documented form");
        let age = time::OffsetDateTime::now_utc() - parsed.assume_utc();
        assert!(
            age >= time::Duration::ZERO && age < time::Duration::minutes(1),
            "{now}"
        );
    }
}
