/*
 * moderation-image: a JPEG turned into the network's input (jpeg.c): decoded with
 * libjpeg-turbo, resized, normalized and laid out as the settings say.
 */
#ifndef KINORA_IC_JPEG_H
#define KINORA_IC_JPEG_H

#include "ic_config.h"

#include <kinora/plugin.h>

#include <stddef.h>

/* Decodes the JPEG in `data` (`len` bytes) and writes st->width x st->height x 3 floats
 * into `blob` in st->layout and channel order, each value (pixel * scale - mean) / std.
 * The image is stretched to the input size, as OpenCV's blobFromImage does without crop.
 * *src_w and *src_h get the image's own size.
 * errors: INVALID_ARGUMENT (not a JPEG, damaged, larger than max_pixels), TIMEOUT or
 * CANCELLED (the call's, checked while decoding), NO_MEMORY. */
IC_INTERNAL kn_status_t ic_jpeg_blob(const ic_state *st, const kn_call_t *call, const unsigned char *data, size_t len,
                                     float *blob, int *src_w, int *src_h, kn_error_t *err);

/* KN_E_TIMEOUT or KN_E_CANCELLED (with err filled) when the call is over, else KN_OK. */
IC_INTERNAL kn_status_t ic_check_call(const kn_call_t *call, kn_error_t *err);

#endif
