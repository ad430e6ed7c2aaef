//! `[text.model] kind = "trees"`: gradient-boosted regression trees over the line
//! features, read from compact strings (`bench/train-text.py` writes them).
//!
//! A tree is one string of space-separated nodes, node 0 the root. An internal node is
//! `F:T:L:R`: a line whose feature `features[F]` is `<= T` goes to node `L`, else to
//! node `R` (children come after their parent). A leaf is a bare number. The model's
//! logit is the sum of the leaves the line reaches, one per tree (a one-leaf tree is a
//! constant: the trainer's baseline).

/// The shipped forest (empty: the shipped kind is logistic), equal to `config.toml`'s
/// `[text.model]` `features` and `trees`; `bench/train-text.py --trees` prints both.
pub(super) const DEFAULT_TREE_FEATURES: &[&str] = &[];
pub(super) const DEFAULT_TREES: &[&str] = &[];

/// Marks a leaf in [`Node::feature`].
const LEAF: u16 = u16::MAX;

/// One node of the flattened forest.
#[derive(Debug, Clone, Copy)]
struct Node {
    /// The index into the feature row, or [`LEAF`].
    feature: u16,
    /// The split threshold, or the leaf value.
    value: f64,
    /// Absolute node indices of the children (internal nodes only).
    left: u32,
    right: u32,
}

/// Every tree's nodes in one array, so scoring a line walks one allocation.
#[derive(Debug, Clone)]
pub(super) struct Forest {
    nodes: Vec<Node>,
    roots: Vec<u32>,
}

impl Forest {
    /// Parse `trees` whose feature indices refer to `features` (names out of `known`,
    /// the order feature rows come in). Errors name the key and the tree.
    pub(super) fn parse(
        features: &[String],
        trees: &[String],
        known: &[&str],
    ) -> Result<Forest, String> {
        let mut map = Vec::with_capacity(features.len());
        for name in features {
            match known.iter().position(|k| k == name) {
                Some(i) => map.push(i as u16),
                None => {
                    return Err(format!(
                        "[text.model] features: unknown feature `{name}` (known: {})",
                        known.join(", ")
                    ))
                }
            }
        }
        if trees.is_empty() {
            return Err("[text.model] trees: kind = \"trees\" needs at least one tree".into());
        }
        let mut nodes = Vec::new();
        let mut roots = Vec::with_capacity(trees.len());
        for (t, tree) in trees.iter().enumerate() {
            let bad =
                |node: usize, why: String| format!("[text.model] trees[{t}] node {node}: {why}");
            let start = nodes.len();
            roots.push(start as u32);
            let tokens: Vec<&str> = tree.split_ascii_whitespace().collect();
            if tokens.is_empty() {
                return Err(format!("[text.model] trees[{t}]: empty tree"));
            }
            let n = tokens.len();
            for (j, tok) in tokens.iter().enumerate() {
                let num = |s: &str| -> Result<f64, String> {
                    match s.parse::<f64>() {
                        Ok(v) if v.is_finite() => Ok(v),
                        _ => Err(bad(j, format!("`{s}` is not a finite number"))),
                    }
                };
                let mut parts = tok.split(':');
                let first = parts.next().unwrap_or("");
                let Some(thr) = parts.next() else {
                    nodes.push(Node {
                        feature: LEAF,
                        value: num(first)?,
                        left: 0,
                        right: 0,
                    });
                    continue;
                };
                let (Some(l), Some(r), None) = (parts.next(), parts.next(), parts.next()) else {
                    return Err(bad(
                        j,
                        format!("`{tok}` is neither F:T:L:R nor a leaf value"),
                    ));
                };
                let f: usize = first
                    .parse()
                    .ok()
                    .filter(|&f| f < map.len())
                    .ok_or_else(|| {
                        bad(
                            j,
                            format!(
                                "feature index `{first}` is not one of the {} in features",
                                map.len()
                            ),
                        )
                    })?;
                // Children after their parent: every walk ends at a leaf.
                let child = |s: &str| -> Result<u32, String> {
                    match s.parse::<usize>() {
                        Ok(c) if c > j && c < n => Ok((start + c) as u32),
                        _ => Err(bad(
                            j,
                            format!("child `{s}` must be a node after it (the tree has {n})"),
                        )),
                    }
                };
                nodes.push(Node {
                    feature: map[f],
                    value: num(thr)?,
                    left: child(l)?,
                    right: child(r)?,
                });
            }
        }
        Ok(Forest { nodes, roots })
    }

    /// The summed leaf values for one feature row (the logit of P(content)).
    pub(super) fn score(&self, x: &[f64]) -> f64 {
        let mut sum = 0.0;
        for &root in &self.roots {
            let mut i = root as usize;
            loop {
                let n = self.nodes[i];
                if n.feature == LEAF {
                    sum += n.value;
                    break;
                }
                i = if x[usize::from(n.feature)] <= n.value {
                    n.left
                } else {
                    n.right
                } as usize;
            }
        }
        sum
    }

    /// How many trees (the baseline counts as one).
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.roots.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KNOWN: &[&str] = &["len_log", "good", "base_keep"];

    fn forest(features: &[&str], trees: &[&str]) -> Result<Forest, String> {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        Forest::parse(&s(features), &s(trees), KNOWN)
    }

    #[test]
    fn trees_sum_the_leaves_each_line_reaches() {
        // A baseline, then two stumps; `features` maps index 0 to `base_keep` (row slot 2).
        let f = forest(
            &["base_keep", "len_log"],
            &["-1.5", "0:0.5:1:2 -1 2", "1:0.3:1:2 0.25 -0.25"],
        )
        .unwrap();
        assert_eq!(f.len(), 3);
        assert_eq!(f.score(&[0.2, 0.0, 1.0]), -1.5 + 2.0 + 0.25);
        assert_eq!(f.score(&[0.9, 0.0, 0.0]), -1.5 - 1.0 - 0.25);
        // `<=` goes left.
        assert_eq!(f.score(&[0.3, 0.0, 0.5]), -1.5 - 1.0 + 0.25);
    }

    #[test]
    fn malformed_trees_are_errors_naming_the_tree_and_node() {
        let cases: &[(&[&str], &[&str], &str)] = &[
            (&["good"], &["0:0.5:1:7 1 2"], "trees[0] node 0: child `7`"),
            (
                &["good"],
                &["1", "0:0.5:0:1 1"],
                "trees[1] node 0: child `0`",
            ),
            (
                &["good"],
                &["3:0.5:1:2 1 2"],
                "trees[0] node 0: feature index `3`",
            ),
            (&["good"], &["0:x:1:2 1 2"], "trees[0] node 0: `x`"),
            (&["good"], &["0:0.5:1:2 1 inf"], "trees[0] node 2: `inf`"),
            (&["good"], &["0:0.5:1 1 2"], "trees[0] node 0: `0:0.5:1`"),
            (&["good"], &["1", " "], "trees[1]: empty tree"),
            (&["colour"], &["1"], "features: unknown feature `colour`"),
            (&["good"], &[], "at least one tree"),
        ];
        for (features, trees, want) in cases {
            let err = forest(features, trees).unwrap_err();
            assert!(err.starts_with("[text.model]"), "{err}");
            assert!(err.contains(want), "{trees:?}: {err}");
        }
    }
}
