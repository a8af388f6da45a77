//! A small scoped thread pool over a slice, and the memory budget that decides how many
//! reference columns are decoded at once.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Memory the reference columns being fitted may hold at once: exact quantiles need a whole
/// column in memory (8 bytes a row). While one column per core fits in it, the cores fit
/// columns side by side; past it, fewer columns are fitted at once and each is decoded on
/// several threads, so memory stays at what one column needs however large the reference.
const REFERENCE_BUDGET_BYTES: u64 = 512 * 1024 * 1024;

pub(super) fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// How many reference columns of `rows` rows are fitted at once on `cores` cores.
pub(super) fn fitting_workers(rows: u64, cores: usize) -> usize {
    let column = rows.saturating_mul(8).max(1);
    usize::try_from(REFERENCE_BUDGET_BYTES / column).unwrap_or(usize::MAX).clamp(1, cores.max(1))
}

/// Runs `f` over `items` on `workers` threads, keeping the order. Each worker takes the next
/// item as it frees up and returns what it computed with the items' indices; a worker's panic
/// is passed on.
pub(super) fn parallel_map<T: Sync, R: Send>(workers: usize, items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let workers = workers.min(items.len()).max(1);
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break out };
                        out.push((i, f(item)));
                    }
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))).collect()
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parallel_map_keeps_the_order() {
        let items: Vec<u32> = (0..50).collect();
        for workers in [1, 3, 64] {
            assert_eq!(parallel_map(workers, &items, |x| x * 2), (0..50).map(|x| x * 2).collect::<Vec<_>>());
        }
        assert!(parallel_map(2, &[] as &[u32], |x| *x).is_empty());
    }

    #[test]
    fn reference_columns_fitted_at_once_follow_the_memory_budget() {
        // 20M rows: 160 MB a column, three fit in 512 MiB.
        assert_eq!(fitting_workers(20_000_000, 2), 2);
        assert_eq!(fitting_workers(20_000_000, 8), 3);
        // 100M rows: 800 MB, one column at a time.
        assert_eq!(fitting_workers(100_000_000, 2), 1);
        assert_eq!(fitting_workers(0, 2), 2);
        assert_eq!(fitting_workers(u64::MAX, 2), 1);
        assert_eq!(fitting_workers(10, 0), 1);
    }
}
