//! Recursion over values at any depth.
//!
//! Templates build values nested as deep as they like (`$d = dict "a" $d` in a
//! loop), and Go, whose stacks grow to 1 GB, prints, copies and compares them. Every
//! recursive walk over a [`Value`](crate::Value) (here and in the Helm layer) therefore
//! runs its recursion through [`grow`], which moves onto a fresh heap segment when the
//! current stack runs low, on the main thread and on small worker threads alike. Walks
//! that could meet a value containing itself (Sprig's `set` can make one) keep a
//! [`ContainerPath`] so they stop instead of recursing forever.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

use crate::value::Value;

/// Stack that must remain before another level of recursion runs in place.
pub(crate) const STACK_RED_ZONE: usize = 128 * 1024;
/// Size of each new stack segment.
pub(crate) const STACK_GROW: usize = 2 * 1024 * 1024;

/// Runs `f`, first switching to a new stack segment if less than the red zone is left.
/// Costs a thread-local read when the stack is fine.
#[inline]
pub fn grow<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(STACK_RED_ZONE, STACK_GROW, f)
}

/// Runs `f` with at least `bytes` of stack, for recursion this crate cannot reach
/// into (a library walking a deep tree): a fresh segment of that size is mapped when
/// less is left; its untouched pages cost no memory.
pub fn with_stack<R>(bytes: usize, f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(bytes, bytes, f)
}

/// Runs `f` on the current stack when at least `needed` bytes are left, else on a
/// fresh segment of `bytes`: for callers that can bound their recursion, so that the
/// common shallow case maps nothing (a fresh segment costs tens of microseconds of
/// system time: mmap, a page fault per touched page, munmap).
pub fn with_stack_needing<R>(needed: usize, bytes: usize, f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(needed.min(bytes), bytes, f)
}

/// Containers scanned linearly before the path also keeps a hash set.
const LINEAR: usize = 32;

/// The maps and lists on the way from the root of a walk to the current value, so a
/// walk notices a value that contains itself. Lookups are O(1) however deep the path
/// gets (a linear scan of a 100,000-deep path per level would be quadratic).
#[derive(Default)]
pub struct ContainerPath {
    stack: Vec<usize>,
    /// The entries of `stack` past the first `LINEAR` ones.
    deep: HashSet<usize, BuildHasherDefault<AddressHasher>>,
}

/// Hashes a container's address with one multiplication, folded so that both the
/// high bits and the low ones (which the table indexes by) depend on all of it.
/// Addresses come from the allocator, not from templates, so nothing stronger is
/// needed; SipHash cost more than the rest of a 100,000-deep walk.
#[derive(Default)]
struct AddressHasher(u64);

impl Hasher for AddressHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(self.0.rotate_left(8) ^ u64::from(b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        let p = u128::from(n) * 0x9e37_79b9_7f4a_7c15;
        self.0 = (p as u64) ^ ((p >> 64) as u64);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl ContainerPath {
    pub fn new() -> Self {
        Self::default()
    }

    /// The identity of a map or list (`None` for other values).
    pub fn id(value: &Value) -> Option<usize> {
        match value {
            Value::Map(m) => Some(std::sync::Arc::as_ptr(&m.0).cast::<()>() as usize),
            Value::List(l) => Some(std::sync::Arc::as_ptr(&l.0).cast::<()>() as usize),
            _ => None,
        }
    }

    /// Containers on the path.
    pub fn len(&self) -> usize {
        self.stack.len()
    }

    pub fn is_empty(&self) -> bool {
        self.stack.is_empty()
    }

    /// Whether the container `id` is already on the path (the value holds itself).
    pub fn contains(&self, id: usize) -> bool {
        self.stack[..self.stack.len().min(LINEAR)].contains(&id) || self.deep.contains(&id)
    }

    /// Enters container `id`; `false` (and nothing entered) if it is already on the path.
    pub fn enter(&mut self, id: usize) -> bool {
        if self.contains(id) {
            return false;
        }
        if self.stack.len() >= LINEAR {
            self.deep.insert(id);
        }
        self.stack.push(id);
        true
    }

    /// Leaves the container entered last.
    pub fn leave(&mut self) {
        if let Some(id) = self.stack.pop()
            && self.stack.len() >= LINEAR
        {
            self.deep.remove(&id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_finds_entries_before_and_after_the_linear_part() {
        let mut p = ContainerPath::new();
        for id in 1..=100 {
            assert!(p.enter(id));
        }
        assert!(!p.enter(5) && !p.enter(80));
        assert!(p.contains(100) && !p.contains(101));
        for _ in 0..70 {
            p.leave();
        }
        assert_eq!(p.len(), 30);
        assert!(!p.contains(80) && p.contains(30));
        assert!(p.enter(80));
    }

    #[test]
    fn address_hashes_spread_aligned_addresses() {
        let hash = |n: usize| {
            let mut h = AddressHasher::default();
            h.write_usize(n);
            h.finish()
        };
        // 16-byte aligned addresses still differ in their low bits.
        let low: HashSet<u64> = (0..256)
            .map(|i| hash(0x7f00_0000 + 16 * i) & 0xff)
            .collect();
        assert!(low.len() > 128, "{}", low.len());
        assert_ne!(hash(1), hash(2));
    }

    /// Far deeper than any thread stack could recurse without growing.
    #[test]
    fn grow_recurses_deeply_on_a_small_thread() {
        fn down(n: usize) -> usize {
            if n == 0 { 0 } else { grow(|| down(n - 1)) + 1 }
        }
        let depth = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(|| down(200_000))
            .expect("spawn")
            .join()
            .expect("no overflow");
        assert_eq!(depth, 200_000);
    }
}
