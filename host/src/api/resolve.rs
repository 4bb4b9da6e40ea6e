//! Finding the variant a request means, with the spec's owner rules: admins disambiguate with
//! `?owner=`, others see their own variant first and then shared ones; ambiguity is a 409.

use super::ApiError;
use super::names::check_project_name;
use crate::auth::Principal;
use crate::domain::Status;
use crate::store::Store;
use crate::store::variants::{Variant, VariantKey};

/// The one variant `name/branch/provider/model` the caller means.
pub async fn variant(
    store: &Store,
    principal: &Principal,
    [name, branch, provider, model]: [&str; 4],
    owner: Option<&str>,
) -> Result<Variant, ApiError> {
    check_project_name(name)?;
    let not_found = || {
        ApiError::not_found(format!(
            "Variant '{name}/{branch}/{provider}/{model}' not found"
        ))
    };
    // `owner` is an admin's tool; for everyone else it is ignored.
    if let Some(owner) = owner.filter(|_| principal.is_admin()) {
        let key = VariantKey {
            name: name.into(),
            branch: branch.into(),
            provider: provider.into(),
            model: model.into(),
            owner: owner.into(),
        };
        return store.variant(&key).await.map_err(|e| match e {
            crate::store::DbError::NotFound => not_found(),
            other => other.into(),
        });
    }
    let mut matches = store
        .variants_matching(&principal.visibility(), [name, branch, provider, model])
        .await?;
    if let Some(own) = matches
        .iter()
        .position(|v| v.key.owner == principal.username)
    {
        return Ok(matches.swap_remove(own));
    }
    match matches.len() {
        0 => Err(not_found()),
        1 => Ok(matches.swap_remove(0)),
        _ => Err(ApiError::conflict(
            "Multiple owners found for this variant, please specify owner",
        )),
    }
}

/// The most recently generated ready variant of `name` the caller can see.
pub async fn latest_ready(
    store: &Store,
    principal: &Principal,
    name: &str,
) -> Result<Variant, ApiError> {
    check_project_name(name)?;
    let mut ready: Vec<Variant> = store
        .variants_named(&principal.visibility(), name)
        .await?
        .into_iter()
        .filter(|v| v.status == Status::Ready)
        .collect();
    ready.sort_by(|a, b| b.last_generated.cmp(&a.last_generated));
    let Some(newest) = ready.first() else {
        return Err(ApiError::not_found(format!(
            "No ready documentation found for '{name}'"
        )));
    };
    if !principal.is_admin() {
        let tied_owners = ready
            .iter()
            .filter(|v| {
                v.last_generated == newest.last_generated && v.key.owner != newest.key.owner
            })
            .count();
        if tied_owners > 0 {
            return Err(ApiError::conflict(format!(
                "Several owners' variants of '{name}' are equally recent; use the variant-specific route"
            )));
        }
    }
    Ok(ready.swap_remove(0))
}
