//! What the client prints: docsfy's tables for people, the API's JSON for scripts.

use serde_json::Value;

/// Prints `value` as indented JSON, with the API's field names and order.
pub fn print_json(value: &Value) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
    );
}

/// A table as docsfy prints it: columns padded to their widest cell and joined by two
/// spaces, a line of dashes under the headings.
pub fn table(headings: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headings.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| -> String {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        padded.join("  ").trim_end().to_string()
    };
    let mut lines = vec![
        line(headings.iter().map(|h| h.to_string()).collect()),
        line(widths.iter().map(|w| "-".repeat(*w)).collect()),
    ];
    lines.extend(rows.iter().map(|row| line(row.clone())));
    lines.join("\n")
}

/// A JSON field as text: strings bare, numbers as written, null and absent as empty.
pub fn text(value: &Value, field: &str) -> String {
    match value.get(field) {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn tables_pad_every_column_to_its_widest_cell() {
        let printed = super::table(
            &["NAME", "STATUS"],
            &[
                vec!["alpha".into(), "ready".into()],
                vec!["b".into(), "generating".into()],
            ],
        );
        assert_eq!(
            printed,
            "NAME   STATUS\n-----  ----------\nalpha  ready\nb      generating"
        );
    }
}
