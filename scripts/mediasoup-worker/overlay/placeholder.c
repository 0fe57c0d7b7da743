/*
 * Placeholder translation unit for the empty static libraries that the local
 * subprojects hand to worker/meson.build as `link_whole` items.
 *
 * Why: worker/meson.build lists static libraries (libuv, libssl_lib, ...) in
 * `link_whole` for the optional `libmediasoup-worker` library target. Meson
 * needs real static_library() objects there at configure time, even though
 * that target is never built by us. The mediasoup-worker executable only uses
 * the `*_dep` dependencies, which point at Debian's shared libraries.
 *
 * build.sh copies this file into each subproject folder that needs it.
 */
int alongside_mediasoup_placeholder_symbol_unused(void);
