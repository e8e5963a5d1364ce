//! Where each block's replicas go when it is written: HDFS's rack-aware default or
//! uniformly random nodes. A pure function of the racks and a random stream, so the
//! placement invariant can be tested alone.

use super::Placement;
use hasim_sim::Stream;

/// The replicas of each block, as datanode indexes, `replication` distinct ones per
/// block. `racks[i]` is datanode i's rack. `replication` must be at most the number of
/// datanodes (checked by the parameters' validation).
pub fn place(
    blocks: u32,
    replication: u32,
    racks: &[u32],
    placement: Placement,
    rng: &mut Stream,
) -> Vec<Vec<u16>> {
    let n = racks.len();
    let want = (replication as usize).min(n);
    let one_rack = racks.windows(2).all(|w| w[0] == w[1]);
    (0..blocks)
        .map(|_| {
            let mut chosen: Vec<u16> = Vec::with_capacity(want);
            if placement == Placement::RackAware && !one_rack && want >= 2 {
                // The writer's node (a random one: writers are spread over the cluster).
                let first = rng.below(n as u64) as usize;
                chosen.push(first as u16);
                let remote: Vec<u16> = (0..n)
                    .filter(|&i| racks[i] != racks[first])
                    .map(|i| i as u16)
                    .collect();
                let second = *rng.choose(&remote).expect("another rack exists");
                chosen.push(second);
                if want >= 3 {
                    let same: Vec<u16> = (0..n)
                        .filter(|&i| racks[i] == racks[second as usize] && i != second as usize)
                        .map(|i| i as u16)
                        .collect();
                    if let Some(&third) = rng.choose(&same) {
                        chosen.push(third);
                    }
                }
            }
            // Random placement, and any replicas beyond those the rule places (or a
            // remote rack of one node): distinct nodes uniformly.
            while chosen.len() < want {
                let free: Vec<u16> = (0..n as u16).filter(|i| !chosen.contains(i)).collect();
                chosen.push(*rng.choose(&free).expect("fewer replicas than nodes"));
            }
            chosen
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use hasim_sim::Seed;

    /// 3 racks of 4 nodes.
    fn racks() -> Vec<u32> {
        (0..12).map(|i| i / 4).collect()
    }

    #[test]
    fn rack_aware_blocks_span_exactly_two_racks_with_the_first_replica_alone() {
        for seed in 0..50 {
            let mut rng = Seed(seed).stream("placement");
            let racks = racks();
            for replicas in place(200, 3, &racks, Placement::RackAware, &mut rng) {
                let r: Vec<u32> = replicas.iter().map(|&i| racks[i as usize]).collect();
                let mut distinct = replicas.clone();
                distinct.sort_unstable();
                distinct.dedup();
                assert_eq!(distinct.len(), 3, "seed {seed}: {replicas:?}");
                assert!(r[0] != r[1] && r[1] == r[2], "seed {seed}: racks {r:?}");
            }
        }
    }

    #[test]
    fn random_placement_puts_some_blocks_on_one_rack() {
        // P(all three on one rack) = 3 × C(4,3) / C(12,3) = 12/220: about 11 of 200.
        let mut rng = Seed(1).stream("placement");
        let racks = racks();
        let one_rack = place(200, 3, &racks, Placement::Random, &mut rng)
            .iter()
            .filter(|b| b.iter().all(|&i| racks[i as usize] == racks[b[0] as usize]))
            .count();
        assert!(
            (3..=25).contains(&one_rack),
            "{one_rack} blocks on one rack"
        );
    }
}
