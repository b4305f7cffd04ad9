// Fault cases kill agents, fill disks and cut networks on the one machine: one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
