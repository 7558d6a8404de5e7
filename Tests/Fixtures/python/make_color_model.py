"""Writes a tiny ONNX model for the image moderation tests: its score is how much redder than
blue a picture is, sigmoid(8 * (mean red - mean blue)), so a red picture scores ~1, a blue one
~0 and a grey one 0.5. The tests run it through the real plugin and OpenCV's DNN module.

    make_color_model.py OUT.onnx [--layout nchw|nhwc] [--two] [--logits]

--layout nhwc  the input is [1, height, width, 3] (TensorFlow's order); default [1, 3, h, w]
--two          two values: [redness, blueness] (for `labels`)
--logits       no sigmoid: the raw 8 * (red - blue) (for `activation`)

The input's height and width are left free, and only operators OpenCV 4.6's ONNX importer
handles at any input size are used (GlobalAveragePool, not ReduceMean, which 4.6 computes
wrongly, NaN, when the spatial size is not fixed in the file).
"""

import argparse

import onnx
from onnx import TensorProto, helper


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--layout", choices=["nchw", "nhwc"], default="nchw")
    parser.add_argument("--two", action="store_true")
    parser.add_argument("--logits", action="store_true")
    args = parser.parse_args()

    shape = [1, 3, "height", "width"] if args.layout == "nchw" else [1, "height", "width", 3]
    values = 2 if args.two else 1
    nodes = []
    first = "image"
    if args.layout == "nhwc":
        nodes.append(helper.make_node("Transpose", ["image"], ["planar"], perm=[0, 3, 1, 2]))
        first = "planar"
    nodes += [
        helper.make_node("GlobalAveragePool", [first], ["means"]),  # [1, 3, 1, 1]
        helper.make_node("Flatten", ["means"], ["flat"], axis=1),  # [1, 3]: red, green, blue
        helper.make_node("Slice", ["flat", "zero", "one", "axis"], ["red"]),
        helper.make_node("Slice", ["flat", "two", "three", "axis"], ["blue"]),
        helper.make_node("Sub", ["red", "blue"], ["redder"]),
        helper.make_node("Mul", ["redder", "gain"], ["logit"]),  # [1, 1]
    ]
    last = "logit"
    if args.two:
        nodes += [
            helper.make_node("Neg", ["logit"], ["bluer"]),
            helper.make_node("Concat", ["logit", "bluer"], ["pair"], axis=1),  # [1, 2]
        ]
        last = "pair"
    if not args.logits:
        nodes.append(helper.make_node("Sigmoid", [last], ["scores"]))
        last = "scores"
    nodes.append(helper.make_node("Identity", [last], ["score"]))
    constants = [
        helper.make_tensor(name, TensorProto.INT64, [1], [value])
        for name, value in [("zero", 0), ("one", 1), ("two", 2), ("three", 3), ("axis", 1)]
    ] + [helper.make_tensor("gain", TensorProto.FLOAT, [1], [8.0])]
    graph = helper.make_graph(
        nodes,
        "redness",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info("score", TensorProto.FLOAT, [1, values])],
        constants,
    )
    # Opset 11 and IR 6: what OpenCV 4.6 (Debian 12) reads.
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 11)], producer_name="kinora-tests")
    model.ir_version = 6
    onnx.checker.check_model(model)
    onnx.save(model, args.out)


if __name__ == "__main__":
    main()
