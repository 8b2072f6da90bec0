// common.wgsl: helpers shared by every kernel family. Package shaders splices
// this file (then the lib_*.wgsl libraries) ahead of each family file (WGSL
// has no #include), so it declares no bindings and no entry points, only
// functions and constants.
// Go twins: gpu/cpu/common.go — keep in sync.

// linear_index returns the flat invocation index of a 1-D grid whose
// workgroups spill from x into y when there are more than 65535 of them:
// i = gid.x + gid.y * (nwg.x * wg_x). Callers guard i against their length.
fn linear_index(gid: vec3<u32>, nwg: vec3<u32>, wg_x: u32) -> u32 {
    return gid.x + gid.y * (nwg.x * wg_x);
}

// sign_extend_i8 returns lane l (0..3, little-endian) of a word holding four
// int8 values, sign-extended to i32.
fn sign_extend_i8(w: u32, l: u32) -> i32 {
    return bitcast<i32>(w << (24u - 8u * l)) >> 24u;
}

// clamp_i8 saturates x to the int8 range [-128, 127].
fn clamp_i8(x: i32) -> i32 {
    return clamp(x, -128, 127);
}

// byte_i8 returns the low 8 bits of clamp_i8(x) as an unsigned byte, the
// two's complement encoding stored in a packed word.
fn byte_i8(x: i32) -> u32 {
    return bitcast<u32>(clamp_i8(x)) & 0xFFu;
}

// abs_u32 returns |x| as u32; it is exact for every i32, including
// abs_u32(-2147483648) = 2147483648.
fn abs_u32(x: i32) -> u32 {
    let u = bitcast<u32>(x);
    return select(u, 0u - u, x < 0);
}

// Error flags a kernel ORs into the device's error word (a registry row with
// ErrorWord: its last binding is array<atomic<u32>>). Twins: cpu.ErrOverflow.
const ERR_OVERFLOW: u32 = 1u;  // an integer result did not fit its type

// shl_overflows reports whether x << s (s mod 32) loses bits, i.e. whether
// shifting back does not give x.
fn shl_overflows(x: i32, s: u32) -> bool {
    return ((x << s) >> s) != x;
}

// add_overflows reports whether the i32 sum a + b wrapped.
fn add_overflows(a: i32, b: i32) -> bool {
    let s = a + b;
    return ((a ^ s) & (b ^ s)) < 0;
}
