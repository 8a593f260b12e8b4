//! One ChaCha8 stream generated a few blocks (64 bytes each) at a time: the numbers of
//! rand_chacha's `ChaCha8Rng` with the same key and stream number, read 64 bits at a time.
//!
//! A run draws from several streams (the fault plan, the network, each process that draws),
//! many of them only once or twice. rand_chacha sets each one up through its runtime CPU
//! dispatch (a key schedule and a stream parameter, each a call) and fills four blocks at its
//! first draw. Here a stream is its number and its next block's index, set up by writing two
//! words; the run's key is expanded once and shared ([`RunKey`]); three blocks are generated
//! when a draw needs one, interleaved in SSE2 registers so that the three cost little more
//! than one. The 2PC sweep, whose runs draw from five streams, runs about a tenth faster.
//!
//! Architecture Invariant: `ChaChaStream::next_u64` answers, draw after draw, what
//! `ChaCha8Rng::next_u64` answers for the same key and stream; the tests below compare them
//! over many keys, streams and block boundaries, so every recorded seed keeps its run.

use rand_chacha::rand_core::SeedableRng;

/// The ChaCha key of one run: 256 bits derived from the run seed exactly as
/// `ChaCha8Rng::seed_from_u64` derives its seed (rand_core's PCG32 expansion).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RunKey([u32; 8]);

impl SeedableRng for RunKey {
    type Seed = [u8; 32];

    fn from_seed(seed: [u8; 32]) -> Self {
        let mut words = [0u32; 8];
        for (word, bytes) in words.iter_mut().zip(seed.chunks_exact(4)) {
            *word = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        }
        RunKey(words)
    }
}

/// Words of a block, as 64-bit draws.
const DRAWS_PER_BLOCK: usize = 8;

/// Blocks generated at once: independent blocks interleaved keep the processor's vector units
/// busy while each waits on its own chain of additions (three cost little more than one; the
/// 2PC sweep measured 3% faster with three than with two, and no faster with four, whose rows
/// no longer fit the sixteen vector registers).
const BLOCKS_PER_REFILL: usize = 3;

/// Draws generated at once.
const DRAWS_PER_REFILL: usize = DRAWS_PER_BLOCK * BLOCKS_PER_REFILL;

/// ChaCha's four constant words ("expand 32-byte k").
const SIGMA: [u32; 4] = [0x6170_7865, 0x3320_646e, 0x7962_2d32, 0x6b20_6574];

/// Double rounds of ChaCha8.
const DOUBLE_ROUNDS: usize = 4;

/// One ChaCha8 stream of a run: its number (the nonce) and how far it has been read.
#[derive(Debug)]
pub(crate) struct ChaChaStream {
    /// The current blocks' draws, and the index of the next unread one
    /// (`DRAWS_PER_REFILL` when they are used up, or none were generated yet).
    draws: [u64; DRAWS_PER_REFILL],
    next_draw: usize,
    /// The index of the next block to generate.
    next_block: u64,
    /// The stream number (ChaCha's 64-bit nonce).
    number: u64,
}

impl ChaChaStream {
    /// Stream `number`, at its start.
    pub(crate) fn new(number: u64) -> Self {
        ChaChaStream {
            draws: [0; DRAWS_PER_REFILL],
            next_draw: DRAWS_PER_REFILL,
            next_block: 0,
            number,
        }
    }

    /// Back to the start of the stream (for another run's key).
    #[inline]
    pub(crate) fn rewind(&mut self) {
        self.next_draw = DRAWS_PER_REFILL;
        self.next_block = 0;
    }

    /// The next 64 bits of the stream under `key`: the low word first, as rand_chacha reads.
    #[inline]
    pub(crate) fn next_u64(&mut self, key: &RunKey) -> u64 {
        if self.next_draw == DRAWS_PER_REFILL {
            self.refill(key);
        }
        let draw = self.draws[self.next_draw];
        self.next_draw += 1;
        draw
    }

    /// Generates the next blocks (out of line: once per `DRAWS_PER_REFILL` draws).
    #[inline(never)]
    fn refill(&mut self, key: &RunKey) {
        generate(key, self.next_block, self.number, &mut self.draws);
        self.next_block = self.next_block.wrapping_add(BLOCKS_PER_REFILL as u64);
        self.next_draw = 0;
    }
}

#[cfg(target_arch = "x86_64")]
use sse2::generate;

/// ChaCha8 on SSE2 registers (part of every x86-64 processor): each row of each block is one
/// register, so a row operation is one instruction, and the blocks' operations interleave.
#[cfg(target_arch = "x86_64")]
mod sse2 {
    use std::arch::x86_64::{
        __m128i, _mm_add_epi32, _mm_loadu_si128, _mm_or_si128, _mm_set_epi64x, _mm_setr_epi32,
        _mm_shuffle_epi32, _mm_slli_epi32, _mm_srli_epi32, _mm_storeu_si128, _mm_xor_si128,
    };

    use super::{
        RunKey, BLOCKS_PER_REFILL, DOUBLE_ROUNDS, DRAWS_PER_BLOCK, DRAWS_PER_REFILL, SIGMA,
    };

    /// One row of every block.
    type Rows = [__m128i; BLOCKS_PER_REFILL];

    /// Blocks `first`, `first + 1`, … of stream `number` under `key`, as draws: each block is
    /// the ChaCha state (rows: constants, key, key, counter and nonce) after eight rounds,
    /// added to the state; a draw is a block's next two words, the first the low half (as
    /// rand_chacha reads them). The rows are built in registers and the sums stored straight
    /// into `draws` (a draw's two words are its little-endian bytes): words written one by
    /// one and read back as a register would wait on the stores each time.
    pub(super) fn generate(
        key: &RunKey,
        first: u64,
        number: u64,
        draws: &mut [u64; DRAWS_PER_REFILL],
    ) {
        let start = initial_rows(key, first, number);
        let [mut a, mut b, mut c, mut d] = start;
        for _ in 0..DOUBLE_ROUNDS {
            quarter_rounds(&mut a, &mut b, &mut c, &mut d);
            // Diagonals into columns, a round on them, and back.
            shuffle::<LEFT_1>(&mut b);
            shuffle::<LEFT_2>(&mut c);
            shuffle::<LEFT_3>(&mut d);
            quarter_rounds(&mut a, &mut b, &mut c, &mut d);
            shuffle::<LEFT_3>(&mut b);
            shuffle::<LEFT_2>(&mut c);
            shuffle::<LEFT_1>(&mut d);
        }
        for (r, (worked, start)) in [a, b, c, d].into_iter().zip(start).enumerate() {
            for i in 0..BLOCKS_PER_REFILL {
                // SAFETY: SSE2 is in x86-64's baseline; the store writes draws
                // `DRAWS_PER_BLOCK * i + 2 * r` and the next (r < 4, i < BLOCKS_PER_REFILL),
                // inside the array.
                unsafe {
                    let sum = _mm_add_epi32(worked[i], start[i]);
                    let at = draws.as_mut_ptr().add(DRAWS_PER_BLOCK * i + 2 * r);
                    _mm_storeu_si128(at.cast(), sum);
                }
            }
        }
    }

    /// The blocks' states, row by row.
    #[inline(always)]
    fn initial_rows(key: &RunKey, first: u64, number: u64) -> [Rows; 4] {
        let RunKey(k) = key;
        let [s0, s1, s2, s3] = SIGMA.map(|w| w as i32);
        // SAFETY: SSE2 is in x86-64's baseline; each load reads four of the key's eight words.
        let (sigma, key_low, key_high) = unsafe {
            (
                _mm_setr_epi32(s0, s1, s2, s3),
                _mm_loadu_si128(k[..4].as_ptr().cast()),
                _mm_loadu_si128(k[4..].as_ptr().cast()),
            )
        };
        let counters: Rows = std::array::from_fn(|i| {
            let counter = first.wrapping_add(i as u64);
            // SAFETY: SSE2 is in x86-64's baseline; this touches registers only.
            unsafe { _mm_set_epi64x(number as i64, counter as i64) }
        });
        [
            [sigma; BLOCKS_PER_REFILL],
            [key_low; BLOCKS_PER_REFILL],
            [key_high; BLOCKS_PER_REFILL],
            counters,
        ]
    }

    /// ChaCha's quarter round on the four columns of every block at once.
    #[inline(always)]
    fn quarter_rounds(a: &mut Rows, b: &mut Rows, c: &mut Rows, d: &mut Rows) {
        add_xor_rotate::<16, 16>(a, b, d);
        add_xor_rotate::<12, 20>(c, d, b);
        add_xor_rotate::<8, 24>(a, b, d);
        add_xor_rotate::<7, 25>(c, d, b);
    }

    /// `x += y; z = (z ^ x) <<< L` on every lane of every block (`R` = 32 - `L`).
    #[inline(always)]
    fn add_xor_rotate<const L: i32, const R: i32>(x: &mut Rows, y: &Rows, z: &mut Rows) {
        for i in 0..BLOCKS_PER_REFILL {
            // SAFETY: SSE2 is in x86-64's baseline; these touch registers only.
            unsafe {
                x[i] = _mm_add_epi32(x[i], y[i]);
                let mixed = _mm_xor_si128(z[i], x[i]);
                z[i] = _mm_or_si128(_mm_slli_epi32::<L>(mixed), _mm_srli_epi32::<R>(mixed));
            }
        }
    }

    /// Lanes moved one, two and three places left, as shuffle selectors.
    const LEFT_1: i32 = 0b00_11_10_01;
    const LEFT_2: i32 = 0b01_00_11_10;
    const LEFT_3: i32 = 0b10_01_00_11;

    /// Every block's row with its lanes moved left (`SELECT`, a shuffle's selector).
    #[inline(always)]
    fn shuffle<const SELECT: i32>(rows: &mut Rows) {
        // SAFETY: SSE2 is in x86-64's baseline; this touches registers only.
        rows.iter_mut()
            .for_each(|row| *row = unsafe { _mm_shuffle_epi32::<SELECT>(*row) });
    }
}

#[cfg(not(target_arch = "x86_64"))]
use portable_generate as generate;

/// `generate` one block after another, on rows of four lanes (other processors, and the
/// tests' check of the SSE2 version).
#[cfg(any(test, not(target_arch = "x86_64")))]
fn portable_generate(key: &RunKey, first: u64, number: u64, draws: &mut [u64; DRAWS_PER_REFILL]) {
    for (i, block_draws) in draws.chunks_exact_mut(DRAWS_PER_BLOCK).enumerate() {
        let words = portable_block(state(key, first.wrapping_add(i as u64), number));
        for (draw, pair) in block_draws.iter_mut().zip(words.chunks_exact(2)) {
            *draw = u64::from(pair[0]) | u64::from(pair[1]) << 32;
        }
    }
}

/// The ChaCha state of block `counter` of stream `number` under `key`, as four rows:
/// constants, key, key, counter and nonce.
#[cfg(any(test, not(target_arch = "x86_64")))]
fn state(key: &RunKey, counter: u64, number: u64) -> [[u32; 4]; 4] {
    let RunKey(k) = key;
    [
        SIGMA,
        [k[0], k[1], k[2], k[3]],
        [k[4], k[5], k[6], k[7]],
        [
            counter as u32,
            (counter >> 32) as u32,
            number as u32,
            (number >> 32) as u32,
        ],
    ]
}

/// One block: the state after eight rounds, added to the state.
#[cfg(any(test, not(target_arch = "x86_64")))]
fn portable_block(initial: [[u32; 4]; 4]) -> [u32; 16] {
    let [mut a, mut b, mut c, mut d] = initial;
    for _ in 0..DOUBLE_ROUNDS {
        quarter_rounds(&mut a, &mut b, &mut c, &mut d);
        // Diagonals into columns, a round on them, and back.
        (b, c, d) = (lanes_left(b, 1), lanes_left(c, 2), lanes_left(d, 3));
        quarter_rounds(&mut a, &mut b, &mut c, &mut d);
        (b, c, d) = (lanes_left(b, 3), lanes_left(c, 2), lanes_left(d, 1));
    }
    let mut out = [0u32; 16];
    for (row, (worked, start)) in [a, b, c, d].iter().zip(initial.iter()).enumerate() {
        for lane in 0..4 {
            out[row * 4 + lane] = worked[lane].wrapping_add(start[lane]);
        }
    }
    out
}

/// The row with its lanes moved `by` places to the left.
#[cfg(any(test, not(target_arch = "x86_64")))]
fn lanes_left(row: [u32; 4], by: usize) -> [u32; 4] {
    [
        row[by],
        row[(by + 1) % 4],
        row[(by + 2) % 4],
        row[(by + 3) % 4],
    ]
}

/// ChaCha's quarter round on the four columns at once (lane `i` of each row is column `i`).
#[cfg(any(test, not(target_arch = "x86_64")))]
fn quarter_rounds(a: &mut [u32; 4], b: &mut [u32; 4], c: &mut [u32; 4], d: &mut [u32; 4]) {
    add_xor_rotate(a, b, d, 16);
    add_xor_rotate(c, d, b, 12);
    add_xor_rotate(a, b, d, 8);
    add_xor_rotate(c, d, b, 7);
}

/// `x += y; z = (z ^ x) <<< bits`, lane by lane.
#[cfg(any(test, not(target_arch = "x86_64")))]
fn add_xor_rotate(x: &mut [u32; 4], y: &[u32; 4], z: &mut [u32; 4], bits: u32) {
    for lane in 0..4 {
        x[lane] = x[lane].wrapping_add(y[lane]);
        z[lane] = (z[lane] ^ x[lane]).rotate_left(bits);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::rand_core::RngCore;
    use rand_chacha::ChaCha8Rng;

    fn reference(seed: u64, number: u64) -> ChaCha8Rng {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(number);
        rng
    }

    #[test]
    fn draws_are_rand_chachas_across_block_and_buffer_boundaries() {
        // 100 draws cross rand_chacha's four-block buffer three times and a block twelve times.
        for seed in [0, 1, 42, 0xdead_beef, u64::MAX] {
            let key = RunKey::seed_from_u64(seed);
            for number in [0, 1, 4, 16, 17, 16 + 1023, u64::MAX] {
                let mut ours = ChaChaStream::new(number);
                let mut theirs = reference(seed, number);
                for i in 0..100 {
                    assert_eq!(
                        ours.next_u64(&key),
                        theirs.next_u64(),
                        "draw {i} of stream {number}, seed {seed}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_key_is_rand_chachas_seed() {
        for seed in [0, 7, u64::MAX] {
            let expected = RunKey::from_seed(ChaCha8Rng::seed_from_u64(seed).get_seed());
            assert_eq!(RunKey::seed_from_u64(seed), expected);
        }
    }

    /// Only where there are vector blocks: elsewhere `generate` is the portable version.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn the_portable_blocks_are_the_vector_blocks() {
        let mut words = ChaChaStream::new(5);
        let seeder = RunKey::seed_from_u64(11);
        for _ in 0..200 {
            let key = RunKey(std::array::from_fn(|_| words.next_u64(&seeder) as u32));
            let (first, number) = (words.next_u64(&seeder), words.next_u64(&seeder));
            let mut vector = [0; DRAWS_PER_REFILL];
            let mut portable = [1; DRAWS_PER_REFILL];
            generate(&key, first, number, &mut vector);
            portable_generate(&key, first, number, &mut portable);
            assert_eq!(
                vector, portable,
                "{key:?}, blocks from {first} of stream {number}"
            );
        }
    }

    #[test]
    fn a_rewound_stream_starts_again() {
        let key = RunKey::seed_from_u64(3);
        let mut stream = ChaChaStream::new(1);
        let first: Vec<u64> = (0..11).map(|_| stream.next_u64(&key)).collect();
        stream.rewind();
        let again: Vec<u64> = (0..11).map(|_| stream.next_u64(&key)).collect();
        assert_eq!(first, again);
        // Under another run's key, the same stream number is another stream.
        stream.rewind();
        assert_ne!(stream.next_u64(&RunKey::seed_from_u64(4)), first[0]);
    }

    #[test]
    fn a_stream_past_its_counters_low_word_carries_into_the_high_word() {
        // Block 2^32 - 1 and the next: rand_chacha counts blocks in 64 bits.
        let key = RunKey::seed_from_u64(9);
        let mut ours = ChaChaStream::new(2);
        let mut theirs = reference(9, 2);
        let word = (u64::from(u32::MAX)) * 16;
        ours.next_block = u64::from(u32::MAX);
        theirs.set_word_pos(u128::from(word));
        for i in 0..3 * DRAWS_PER_REFILL {
            assert_eq!(ours.next_u64(&key), theirs.next_u64(), "draw {i}");
        }
    }
}
