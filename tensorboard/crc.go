package tensorboard

import "hash/crc32"

// castagnoli is the CRC-32C table (polynomial 0x1EDC6F41, reflected
// 0x82F63B78).
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// maskDelta is kMaskDelta of TensorFlow's and LevelDB's crc32c.h.
const maskDelta = 0xa282ead8

// maskedCRC does the masked CRC-32C of TensorFlow's record format:
//
//	c = CRC-32C(b);  masked = ((c >> 15) | (c << 17)) + 0xa282ead8  (mod 2^32)
//
// (crc32c::Mask: rotate right by 15 bits and add a constant).
func maskedCRC(b []byte) uint32 {
	c := crc32.Checksum(b, castagnoli)
	return ((c >> 15) | (c << 17)) + maskDelta
}
