/*
 * moderation-image: the instance and its settings (config.c).
 *
 * Internal to the plugin: every function is hidden, so only kinora_module_entry_v1 is
 * exported even when the plugin is built without -fvisibility=hidden.
 */
#ifndef KINORA_IC_CONFIG_H
#define KINORA_IC_CONFIG_H

#include <kinora/plugin.h>

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef IC_INTERNAL
#define IC_INTERNAL __attribute__((visibility("hidden")))
#endif

typedef enum { IC_NCHW, IC_NHWC } ic_layout;
typedef enum { IC_ACT_NONE, IC_ACT_SIGMOID, IC_ACT_SOFTMAX } ic_activation;

struct ic_net; /* net.cpp: the loaded network, behind its lock */

typedef struct {
    kn_plugin_t plugin; /* handed out; plugin_data points back at this struct */
    const kn_host_t *host;
    char *model;  /* settings.model: the ONNX file */
    char *output; /* settings.output: the output layer read; "" for the network's first */
    char *label;  /* settings.label: the name of a one-value output */
    char **labels; /* settings.labels: a name per output value; "" leaves a value out */
    size_t nlabels;
    int width, height; /* settings.input_width, input_height */
    ic_layout layout;
    bool bgr;          /* settings.channel_order = "bgr" */
    float scale;       /* pixel * scale, then - mean[c], then / std[c] */
    float mean[3], std[3];
    ic_activation activation;
    size_t max_bytes;
    uint64_t max_pixels;
    size_t outputs;          /* values the output holds, learnt in start() */
    struct ic_net *net;      /* loaded in start() */
    atomic_bool warned_range; /* logged once: scores outside [0,1] were clamped */
} ic_state;

/* Fills st (zeroed, with host set) from the config JSON and checks that the model file can
 * be read. Fast: the network itself is loaded by start(). On failure st may hold part of
 * it: release it with ic_free_state. */
IC_INTERNAL kn_status_t ic_load_config(ic_state *st, const char *json, kn_error_t *err);

/* Frees st, its network and everything it holds; NULL is allowed. */
IC_INTERNAL void ic_free_state(ic_state *st);

#endif
