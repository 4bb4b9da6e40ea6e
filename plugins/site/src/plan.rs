//! The documentation plan the AI wrote: navigation groups of pages.

use docsfy_plugin_sdk::Error;
use serde::Deserialize;

/// `plan_json` as the pipeline stores it.
#[derive(Debug, Deserialize)]
pub struct Plan {
    pub project_name: Option<String>,
    #[serde(default)]
    pub tagline: String,
    pub navigation: Vec<Group>,
}

/// One navigation group.
#[derive(Debug, Deserialize)]
pub struct Group {
    pub group: String,
    pub pages: Vec<PlannedPage>,
}

/// One page of the plan.
#[derive(Debug, Deserialize)]
pub struct PlannedPage {
    pub slug: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
}

impl Plan {
    /// Parses the plan and checks that its slugs can be file names.
    pub fn parse(json: &str) -> Result<Plan, Error> {
        let plan: Plan = serde_json::from_str(json)
            .map_err(|e| Error::InvalidInput(format!("the plan is not valid JSON: {e}")))?;
        for page in plan.pages() {
            if !is_slug(&page.slug) {
                return Err(Error::InvalidInput(format!(
                    "page slug {:?} must be lowercase letters, digits, '-' or '_'",
                    page.slug
                )));
            }
        }
        Ok(plan)
    }

    /// Every page, in navigation order.
    pub fn pages(&self) -> impl Iterator<Item = &PlannedPage> {
        self.navigation.iter().flat_map(|g| g.pages.iter())
    }

    /// The name of each page's group, in the order of [`Plan::pages`].
    pub fn page_groups(&self) -> impl Iterator<Item = &str> {
        self.navigation
            .iter()
            .flat_map(|g| g.pages.iter().map(|_| g.group.as_str()))
    }
}

fn is_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= 100
        && slug != "index"
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_must_be_file_names() {
        let plan = |slug: &str| {
            format!(
                r#"{{"navigation":[{{"group":"g","pages":[{{"slug":"{slug}","title":"t"}}]}}]}}"#
            )
        };
        assert!(Plan::parse(&plan("getting-started")).is_ok());
        for bad in ["../x", "A", "", "index", "a b", "a/b"] {
            assert!(Plan::parse(&plan(bad)).is_err(), "{bad}");
        }
        assert!(Plan::parse("{").is_err());
    }
}
