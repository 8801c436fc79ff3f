#!/usr/bin/env bash
# Tiny-ImageNet, ResNet-18: the torchvision-layout ResNet-18 of the imagenet class, at 64x64 (the reference's
# README: "For Tiny-imagenet and ImageNet experiments, please use imagenet").
# The reference has no script for it. Our choice, the schedule of the public re-runs (BeiYazi0/NTK-SAP's code and
# iurada/px-ntk-pruning) and of Frankle et al. (2021): SGD momentum 0.9, batch 256, lr 0.2 dropped x0.1 at epochs
# 100 and 150, weight decay 1e-4, 200 epochs.
# Each pruner runs with the T, BatchNorm mode and (NTK-SAP) R its class recommends: see 'ntksap pruners'.
DESCRIPTION="Tiny-ImageNet, ResNet-18 (imagenet class, 64x64)."
NAME=resnet18-tinyimagenet
COMPRESSIONS="${COMPRESSIONS:-2 6 10 14 18}"   # the paper's table
SETTING=(--dataset tiny-imagenet --model resnet18 --model-class imagenet --optimizer sgd --train-batch-size 256 --lr 0.2 --lr-drops 100 150 --lr-drop-rate 0.1 --weight-decay 1e-4 --post-epochs 200)
source "$(dirname "$0")/_paper.sh"
paper_run
