package worker

// SetAfterBuild makes h run f when a bundle (or a subject access export)
// has been built into its temporary file, before it is stored (tests hang or fail a render there).
func SetAfterBuild(h *RenderHandler, f func()) { h.afterBuild = f }
