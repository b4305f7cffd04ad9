// Every test drives the one real Docker Engine of the machine; running them one at a time keeps a 2-core box honest.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
