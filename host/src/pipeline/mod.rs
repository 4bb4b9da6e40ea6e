//! The generation pipeline. So far: the request schema and host check of `POST
//! /api/generate`, the plan format with its repair, the prompts, the repository summary they
//! embed, and atomic publishing of a rendered site. The job runner (clone, plan, pages,
//! validate, cross-link, render) builds on these.

pub mod checkout;
pub mod incremental;
pub mod jobs;
pub mod pages;
pub mod plan;
pub mod prompts;
pub mod publish;
pub mod repo_summary;
pub mod request;
pub mod run;
