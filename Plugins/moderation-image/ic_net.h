/*
 * moderation-image: the ONNX network, run by OpenCV's DNN module (net.cpp, the plugin's only
 * C++). A C interface, so no C++ type or exception reaches the rest of the plugin: every
 * function catches what OpenCV throws and turns it into a status and a message.
 */
#ifndef KINORA_IC_NET_H
#define KINORA_IC_NET_H

#include <kinora/plugin.h>

#include <stddef.h>
#include <stdint.h>

#ifndef IC_INTERNAL
#define IC_INTERNAL __attribute__((visibility("hidden")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ic_net ic_net;

/* Reads the ONNX file at `path` and picks the output layer named `output` ("" for the
 * network's first unconnected output). KN_E_CONFIG with the reason in `why` when OpenCV
 * cannot load it or has no such output. */
IC_INTERNAL kn_status_t ic_net_load(const char *path, const char *output, ic_net **out, char *why, size_t whycap);

/* Runs the network on `blob` (float32, `dims` of 4 sizes, C order) and copies the output's
 * values, as floats in C order, into a malloc'ed *values (the caller frees it) of *count.
 * Calls on one network run one at a time (an OpenCV Net is not reentrant): a call waits for
 * the network until `deadline_unix_ns` (CLOCK_REALTIME; 0 for no deadline), then gives up
 * with KN_E_TIMEOUT. KN_E_INTERNAL with the reason in `why` when OpenCV fails (an input of
 * the wrong shape, say). */
IC_INTERNAL kn_status_t ic_net_run(ic_net *net, const float *blob, const int dims[4], int64_t deadline_unix_ns,
                                   float **values, size_t *count, char *why, size_t whycap);

/* The name of the output layer read (valid until ic_net_free). */
IC_INTERNAL const char *ic_net_output(const ic_net *net);

/* NULL is allowed. */
IC_INTERNAL void ic_net_free(ic_net *net);

#ifdef __cplusplus
}
#endif

#endif
