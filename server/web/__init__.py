"""HTTP layer: thin Starlette routes that parse input, call one domain function, and render."""
