// Tests seed and use libtorch's global random generator and thread pool: run them one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
