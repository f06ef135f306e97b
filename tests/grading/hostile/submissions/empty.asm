; expect-reason: no bytes
