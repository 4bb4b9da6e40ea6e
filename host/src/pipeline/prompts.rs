//! Every prompt the pipeline sends, in one place. Each asks for one thing in a format the
//! pipeline checks, and says so plainly, because the answer is parsed, not read.

/// What an AI call is for. Programs the provider runs get it as `DOCSFY_CALL_KIND`, so that
/// a test double answers by the kind of call, not by the prompt's wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    Plan,
    PlanRetry,
    Page,
    PageRetry,
    Redo,
    Update,
}

impl PromptKind {
    /// The value of `DOCSFY_CALL_KIND`.
    pub fn as_str(self) -> &'static str {
        match self {
            PromptKind::Plan => "plan",
            PromptKind::PlanRetry => "plan-retry",
            PromptKind::Page => "page",
            PromptKind::PageRetry => "page-retry",
            PromptKind::Redo => "redo",
            PromptKind::Update => "update",
        }
    }
}

use super::plan::{Plan, PlanProblem, PlannedPage};
use super::repo_summary::RepoSummary;

/// The plan prompt: read the repository, answer with the plan as JSON only.
pub fn plan_prompt(project: &str, summary: &RepoSummary) -> String {
    format!(
        "You are writing the documentation website of the software project \"{project}\". \
The repository is checked out in your working directory: read the files you need.\n\n\
{context}\n\
Plan the documentation: the pages a new user and a contributor need, grouped for a \
navigation sidebar, from getting started to reference. Base every page on what the code \
really does.\n\n\
Answer with ONLY a JSON object, no prose and no code fences, in exactly this format:\n\
{{\"project_name\": \"...\", \"tagline\": \"one line\", \"navigation\": [{{\"group\": \"...\", \
\"pages\": [{{\"slug\": \"lowercase-with-dashes\", \"title\": \"...\", \"description\": \"what the page covers\"}}]}}]}}\n\
Slugs are unique, lowercase letters, digits and dashes, and never \"index\".",
        context = context(summary)
    )
}

/// The retry after an unusable plan: the same request, with what was wrong.
pub fn plan_retry_prompt(project: &str, summary: &RepoSummary, problem: &PlanProblem) -> String {
    format!(
        "{}\n\nYour previous answer could not be used: {problem}. Answer again with only the JSON object.",
        plan_prompt(project, summary)
    )
}

/// One page: its place in the plan, and Markdown only in the answer.
pub fn page_prompt(project: &str, plan: &Plan, page: &PlannedPage) -> String {
    let others: Vec<String> = plan
        .pages()
        .filter(|p| p.slug != page.slug)
        .map(|p| format!("- {} ({}.md): {}", p.title, p.slug, p.description))
        .collect();
    format!(
        "You are writing one page of the documentation of \"{project}\". The repository is \
checked out in your working directory: read the code this page is about.\n\n\
Page: {title}\nCovers: {description}\n\n\
Other pages of the site, which you may link to as [title](slug.md):\n{others}\n\n\
Write the page in Markdown, starting with \"# {title}\". Use examples taken from the real \
code, name real files and functions only, and do not invent options or commands.\n\
Answer with ONLY the page's Markdown.",
        title = page.title,
        description = page.description,
        others = if others.is_empty() {
            "(none)".into()
        } else {
            others.join("\n")
        },
    )
}

/// A page rewritten after validation found problems: the page prompt, plus what was wrong.
pub fn page_retry_prompt(
    project: &str,
    plan: &Plan,
    page: &PlannedPage,
    problems: &[String],
) -> String {
    format!(
        "{}\n\nA previous version of this page had these problems; avoid them:\n{}",
        page_prompt(project, plan, page),
        problems
            .iter()
            .map(|p| format!("- {p}"))
            .collect::<Vec<_>>()
            .join("\n")
    )
}

/// An existing page after new commits: find/replace edits, each of whose `find` occurs once.
pub fn page_update_prompt(project: &str, page: &PlannedPage, current: &str, diff: &str) -> String {
    format!(
        "This is the page \"{title}\" of the documentation of \"{project}\":\n\n{current}\n\n\
The code changed:\n{diff}\n\n\
Update the page for these changes with the fewest edits. Answer with ONLY a JSON object:\n\
{{\"edits\": [{{\"find\": \"exact text from the page\", \"replace\": \"new text\"}}]}}\n\
Each \"find\" must appear exactly once in the page. Answer {{\"edits\": []}} if nothing needs to change.",
        title = page.title
    )
}

/// After new commits: which pages must change? Answer `[]`, `["all"]` or slugs.
pub fn incremental_prompt(
    project: &str,
    plan: &Plan,
    changed_files: &[String],
    diff: &str,
) -> String {
    let pages: Vec<String> = plan
        .pages()
        .map(|p| format!("- {}: {} ({})", p.slug, p.title, p.description))
        .collect();
    format!(
        "The documentation of \"{project}\" has these pages:\n{pages}\n\n\
These files changed since the documentation was written:\n{files}\n\n\
The changes:\n{diff}\n\n\
Which pages are now wrong or incomplete? Answer with ONLY a JSON array: [] when none, \
[\"all\"] when the structure of the documentation must change, or the slugs to rewrite, \
such as [\"install\", \"api\"].",
        pages = pages.join("\n"),
        files = changed_files
            .iter()
            .map(|f| format!("- {f}"))
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

fn context(summary: &RepoSummary) -> String {
    let mut text = format!("Files ({} in all):\n", summary.total_files);
    for file in &summary.files {
        text.push_str(file);
        text.push('\n');
    }
    if summary.total_files > summary.files.len() {
        text.push_str(&format!(
            "... and {} more\n",
            summary.total_files - summary.files.len()
        ));
    }
    if let Some(readme) = &summary.readme {
        text.push_str(&format!("\nREADME:\n{readme}\n"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::plan::parse_plan;

    fn summary() -> RepoSummary {
        RepoSummary {
            files: vec!["src/main.rs".into(), "README.md".into()],
            total_files: 5,
            readme: Some("# Acme".into()),
        }
    }

    fn plan() -> Plan {
        parse_plan(
            r#"{"project_name":"Acme","navigation":[{"group":"g","pages":[
            {"slug":"intro","title":"Intro","description":"what it is"},
            {"slug":"api","title":"API","description":"every call"}]}]}"#,
        )
        .expect("plan")
    }

    #[test]
    fn the_plan_prompt_shows_the_repository_and_demands_json_only() {
        let prompt = plan_prompt("acme", &summary());
        assert!(prompt.contains("\"acme\""));
        assert!(prompt.contains("Files (5 in all):\nsrc/main.rs\nREADME.md\n... and 3 more"));
        assert!(prompt.contains("README:\n# Acme"));
        assert!(prompt.contains("ONLY a JSON object"));
        assert!(prompt.contains("\"navigation\""));
    }

    #[test]
    fn the_retry_quotes_the_problem() {
        let problem = PlanProblem::DuplicateSlug("intro".into());
        let prompt = plan_retry_prompt("acme", &summary(), &problem);
        assert!(prompt.ends_with("Your previous answer could not be used: slug \"intro\" appears more than once. Answer again with only the JSON object."));
    }

    #[test]
    fn a_page_prompt_names_the_page_and_its_siblings() {
        let plan = plan();
        let prompt = page_prompt("acme", &plan, &plan.navigation[0].pages[0]);
        assert!(prompt.contains("Page: Intro\nCovers: what it is"));
        assert!(prompt.contains("- API (api.md): every call"));
        assert!(
            !prompt.contains("- Intro (intro.md)"),
            "a page is not its own sibling"
        );
        assert!(prompt.contains("starting with \"# Intro\""));
        assert!(prompt.ends_with("Answer with ONLY the page's Markdown."));
    }

    #[test]
    fn the_retry_and_update_prompts_carry_what_the_ai_must_fix() {
        let plan = plan();
        let page = &plan.navigation[0].pages[1];
        let retry = page_retry_prompt("acme", &plan, page, &["the page is empty".into()]);
        assert!(retry.starts_with(&page_prompt("acme", &plan, page)));
        assert!(retry.ends_with("avoid them:\n- the page is empty"));
        let update = page_update_prompt("acme", page, "# API\n\nget()", "+fn put()");
        assert!(update.contains("# API\n\nget()") && update.contains("+fn put()"));
        assert!(update.contains("exactly once") && update.contains("{\"edits\": []}"));
    }

    #[test]
    fn the_incremental_prompt_lists_pages_and_changes() {
        let prompt = incremental_prompt("acme", &plan(), &["src/api.rs".into()], "+fn get()");
        assert!(prompt.contains("- intro: Intro (what it is)\n- api: API (every call)"));
        assert!(prompt.contains("- src/api.rs"));
        assert!(prompt.contains("+fn get()"));
        assert!(prompt.contains("[\"all\"]"));
    }
}
