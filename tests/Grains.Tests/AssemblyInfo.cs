// The failure tests kill silos and cut the database under wall-clock bounds; on a 2-core machine they
// must not compete with the other collections' clusters, so collections run one after another.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
