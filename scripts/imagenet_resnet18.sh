#!/usr/bin/env bash
# ImageNet, ResNet-18 (torchvision layout, imagenet class): prune job, then train job.
# Not stated by the reference (its multishot_ddp_* experiments take the flags from the command line). Our
# choice: the standard torchvision ImageNet recipe: SGD momentum 0.9, global batch 256, lr 0.1 dropped x0.1 at
# epochs 30, 60 and 80, weight decay 1e-4, 90 epochs; compressions 10 and 14 (sparsity 89.26 % and 95.60 %).
# The paper trained ResNet-18 on 2 GPUs: run with NGPUS=2 to match it (the global batch stays 256).
DESCRIPTION="ImageNet, ResNet-18 (torchvision layout, imagenet class): prune job, then train job."
NAME=resnet18-imagenet
COMPRESSIONS="${COMPRESSIONS:-10 14}"   # the paper's ImageNet table: sparsity 89.26 % and 95.60 %
SETTING=(--dataset imagenet --model resnet18 --model-class imagenet --optimizer sgd --train-batch-size 256 --lr 0.1 --lr-drops 30 60 80 --lr-drop-rate 0.1 --weight-decay 1e-4 --post-epochs 90 --workers 8)
source "$(dirname "$0")/_paper.sh"
paper_run
