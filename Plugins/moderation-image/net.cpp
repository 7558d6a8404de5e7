/*
 * moderation-image: the ONNX network through OpenCV's DNN module (Debian's libopencv-dnn).
 * The only C++ of the plugin: nothing here lets an exception out (plugin.h: nothing throws
 * across the boundary), every failure becomes a status and a message for the operator.
 */
#include "ic_net.h"

#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <exception>
#include <mutex>
#include <new>
#include <string>
#include <vector>

struct ic_net {
    cv::dnn::Net net;
    std::string output;
    std::timed_mutex lock; // a Net keeps per-run buffers: one forward at a time
};

namespace {

void put(char *why, size_t cap, const char *text) {
    if (!why || cap == 0) return;
    std::snprintf(why, cap, "%s", text ? text : "unknown error");
}

// OpenCV's messages span lines ("... in function 'x'\n> detail"): one line for a log.
void put_exception(char *why, size_t cap, const std::exception &e) {
    const cv::Exception *cv_error = dynamic_cast<const cv::Exception *>(&e);
    std::string text = cv_error && !cv_error->err.empty() ? cv_error->err : e.what();
    for (char &c : text)
        if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    put(why, cap, text.c_str());
}

} // namespace

extern "C" kn_status_t ic_net_load(const char *path, const char *output, ic_net **out, char *why, size_t whycap) {
    ic_net *n = nullptr;
    try {
        n = new ic_net();
        n->net = cv::dnn::readNetFromONNX(path);
        if (n->net.empty()) {
            put(why, whycap, "OpenCV read no layers from it");
            delete n;
            return KN_E_CONFIG;
        }
        n->net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
        n->net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
        std::vector<cv::String> outputs = n->net.getUnconnectedOutLayersNames();
        if (output && *output) {
            if (n->net.getLayerId(output) < 0) {
                std::string names;
                for (const auto &name : outputs) names += (names.empty() ? "\"" : ", \"") + name + "\"";
                std::string text = "the model has no layer \"" + std::string(output) + "\" (its outputs: " + names + ")";
                put(why, whycap, text.c_str());
                delete n;
                return KN_E_CONFIG;
            }
            n->output = output;
        } else if (!outputs.empty()) {
            n->output = outputs.front();
        } else {
            put(why, whycap, "the model has no output");
            delete n;
            return KN_E_CONFIG;
        }
        *out = n;
        return KN_OK;
    } catch (const std::bad_alloc &) {
        delete n;
        put(why, whycap, "out of memory");
        return KN_E_NO_MEMORY;
    } catch (const std::exception &e) {
        delete n;
        put_exception(why, whycap, e);
        return KN_E_CONFIG;
    } catch (...) {
        delete n;
        put(why, whycap, "OpenCV failed with an unknown exception");
        return KN_E_CONFIG;
    }
}

// How long a call may still wait for the network: until its deadline (CLOCK_REALTIME ns, as
// kn_call_t carries it), or for ever without one.
static bool lock_until(std::timed_mutex &lock, int64_t deadline_unix_ns) {
    if (deadline_unix_ns <= 0) {
        lock.lock();
        return true;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t left = deadline_unix_ns - (static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec);
    return left > 0 && lock.try_lock_for(std::chrono::nanoseconds(left));
}

extern "C" kn_status_t ic_net_run(ic_net *n, const float *blob, const int dims[4], int64_t deadline_unix_ns,
                                  float **values, size_t *count, char *why, size_t whycap) {
    try {
        // The network may keep the input Mat after the call: it gets its own copy, never a
        // view of the caller's buffer, which is freed once this returns.
        cv::Mat input = cv::Mat(4, dims, CV_32F, const_cast<float *>(blob)).clone();
        cv::Mat result;
        {
            if (!lock_until(n->lock, deadline_unix_ns)) {
                put(why, whycap, "the call's deadline passed while it waited for the model (busy with other pictures)");
                return KN_E_TIMEOUT;
            }
            std::lock_guard<std::timed_mutex> held(n->lock, std::adopt_lock);
            n->net.setInput(input);
            result = n->net.forward(n->output);
        }
        if (result.empty() || result.depth() != CV_32F) {
            put(why, whycap, "the model's output is not a tensor of 32-bit floats");
            return KN_E_INTERNAL;
        }
        cv::Mat flat = result.isContinuous() ? result : result.clone();
        size_t total = flat.total() * static_cast<size_t>(flat.channels());
        float *copy = static_cast<float *>(std::malloc((total ? total : 1) * sizeof(float)));
        if (!copy) {
            put(why, whycap, "out of memory");
            return KN_E_NO_MEMORY;
        }
        std::memcpy(copy, flat.ptr<float>(), total * sizeof(float));
        *values = copy;
        *count = total;
        return KN_OK;
    } catch (const std::bad_alloc &) {
        put(why, whycap, "out of memory");
        return KN_E_NO_MEMORY;
    } catch (const std::exception &e) {
        put_exception(why, whycap, e);
        return KN_E_INTERNAL;
    } catch (...) {
        put(why, whycap, "OpenCV failed with an unknown exception");
        return KN_E_INTERNAL;
    }
}

extern "C" const char *ic_net_output(const ic_net *n) { return n ? n->output.c_str() : ""; }

extern "C" void ic_net_free(ic_net *n) { delete n; }
